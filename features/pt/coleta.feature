# language: pt
@driver @coleta
Funcionalidade: Coleta B2W
  Um pedido B2W Entrega Direct é coletado pela transportadora da B2W.
  Quando o ERP fatura o pedido na VTEX, a VTEX envia a nota à SkyHub e
  solicita a coleta sozinha: num pedido de um item, depois dessa nota; num
  pedido de vários itens, só depois de faturado o último item. Pedidos
  Correios são postados pelo lojista e não têm coleta.

  Contexto:
    Dado que a integração está rodando

  Cenário: Um item: coleta solicitada depois da nota
    Quando um pedido pago B2W Direct com 1 item chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-6001"
    Então a SkyHub lista o pedido com coleta solicitada
    E exatamente uma coleta foi solicitada para o pedido

  Cenário: Dois itens: nenhuma coleta até faturar o último item, e então exatamente uma
    Quando um pedido pago B2W Direct com 2 itens chega
    E o pedido está "handling"
    Quando o ERP fatura o item 1 com a nota "NF-7001"
    Então nenhuma coleta foi solicitada para o pedido
    Quando o ERP fatura o item 2 com a nota "NF-7002"
    Então a SkyHub lista o pedido com coleta solicitada
    E exatamente uma coleta foi solicitada para o pedido

  Cenário: Correios: a nota chega à SkyHub, sem coleta
    Quando um pedido pago B2W Correios com 1 item chega
    E o pedido está "handling"
    Quando o ERP fatura o pedido com a nota "NF-8001"
    Então a SkyHub tem o pedido faturado
    E nenhuma coleta foi solicitada para o pedido
