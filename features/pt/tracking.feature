# language: pt
@driver @tracking
Funcionalidade: Rastreamento nos Correios
  A última sincronização do fluxo: o ERP fatura com um código de rastreio
  dos Correios, consulta os Correios sobre o objeto até ele ser entregue ou
  voltar ao remetente, e leva cada evento novo à VTEX. Só um evento de
  entrega (BDE 01) marca a nota como entregue, com a data dos Correios; um
  objeto encerrado nunca mais é consultado. O objeto anda no relógio do
  sandbox: postado, +6 h e +1 d em trânsito, +2 d saiu para entrega,
  +2 d 4 h entregue.

  Cenário: Os eventos dos Correios chegam à VTEX até a entrega do objeto
    Dado que a integração está rodando
    E um pedido pago com 1 item chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-5001" e a posta nos Correios
    E o relógio do sandbox avança 25h
    E o ERP consulta os Correios
    Então a nota "NF-5001" ainda não está entregue
    Quando o relógio do sandbox avança 24h
    E o ERP consulta os Correios
    Então a nota "NF-5001" ainda não está entregue
    Quando o relógio do sandbox avança 4h
    E o ERP consulta os Correios
    Então a nota "NF-5001" está entregue na data dos Correios
    E a nota "NF-5001" traz os eventos dos Correios até agora
    E o sandbox registrou um evento "tracking.updated" para o pedido

  Cenário: Um objeto entregue nunca mais é consultado
    Dado que a integração está rodando
    E um pedido pago com 1 item chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-5002" e a posta nos Correios
    E o relógio do sandbox avança 53h
    E o ERP consulta os Correios
    Então a nota "NF-5002" está entregue na data dos Correios
    Quando o relógio do sandbox avança 12h
    E o ERP consulta os Correios
    Então a integração nunca mais consultou os Correios sobre o objeto depois da entrega

  Cenário: Uma tentativa de entrega frustrada é informada, não como entrega
    Dado que a integração está rodando
    E um pedido pago com 1 item chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-5003" e a posta nos Correios
    E o objeto segue o caminho "failed-attempt"
    E o relógio do sandbox avança 53h
    E o ERP consulta os Correios
    Então a nota "NF-5003" ainda não está entregue
    Quando o relógio do sandbox avança 24h
    E o ERP consulta os Correios
    Então a nota "NF-5003" está entregue na data dos Correios

  Cenário: Um objeto devolvido ao remetente não é marcado como entregue
    Dado que a integração está rodando
    E um pedido pago com 1 item chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-5004" e a posta nos Correios
    E o objeto segue o caminho "returned"
    E o relógio do sandbox avança 145h
    E o ERP consulta os Correios
    Então a nota "NF-5004" ainda não está entregue

  Cenário: 429 dos Correios: a integração espera o que lhe pedem
    Dado que a integração está rodando
    E um pedido pago com 1 item chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-5005" e a posta nos Correios
    E o relógio do sandbox avança 25h
    E os Correios respondem 429 com Retry-After 1 às próximas 1 consulta de rastreio
    E o ERP consulta os Correios
    Então a nota "NF-5005" traz os eventos dos Correios até agora
    E a integração esperou o que o Retry-After pediu entre as consultas de rastreio

  Cenário: 503 dos Correios: a integração espera o que lhe pedem
    Dado que a integração está rodando
    E um pedido pago com 1 item chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-5006" e a posta nos Correios
    E o relógio do sandbox avança 25h
    E os Correios respondem 503 com Retry-After 1 às próximas 1 consulta de rastreio
    E o ERP consulta os Correios
    Então a nota "NF-5006" traz os eventos dos Correios até agora
    E a integração esperou o que o Retry-After pediu entre as consultas de rastreio
