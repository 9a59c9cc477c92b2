# language: pt
@driver
Funcionalidade: Faturamento e rastreio
  O ERP fatura o que envia, numa nota ou em várias, e manda o código de
  rastreio com a nota ou depois, e então os eventos da transportadora.

  Contexto:
    Dado que a integração está rodando

  Cenário: Nota fiscal do pedido inteiro
    Quando um pedido pago com 2 itens chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-1001"
    Então o pedido está "invoiced"
    E nenhuma chamada da integração foi recusada

  Cenário: Notas parciais de um pedido com vários itens
    Quando um pedido pago com 2 itens chega
    E o pedido está "handling"
    Quando o ERP fatura o item 1 com a nota "NF-2001"
    Então o pedido está "handling"
    Quando o ERP fatura o item 2 com a nota "NF-2002"
    Então o pedido está "invoiced"
    E o pedido tem 2 notas
    E nenhuma chamada da integração foi recusada

  Cenário: Nota com o código de rastreio
    Quando um pedido pago com 1 item chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-3001" e o código de rastreio "BR3001"
    Então o pedido está "invoiced"
    E a nota "NF-3001" tem o código de rastreio "BR3001"

  Cenário: Código de rastreio depois, e os eventos de rastreio até a entrega
    Quando um pedido pago com 1 item chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-4001"
    E o ERP envia o código de rastreio "BR4001" da nota "NF-4001"
    E a transportadora entrega a nota "NF-4001"
    Então a nota "NF-4001" tem o código de rastreio "BR4001"
    E a nota "NF-4001" está entregue
    E o pedido está "invoiced"
