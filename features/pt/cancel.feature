# language: pt
@driver
Funcionalidade: Cancelamento
  Um pedido pode ser cancelado até ser faturado; um pedido faturado
  continua faturado.

  Contexto:
    Dado que a integração está rodando

  Cenário: Cancelamento antes do faturamento
    Quando um pedido pago com 1 item chega
    E o pedido está "handling"
    Quando o ERP cancela o pedido
    Então o pedido está "cancellation-requested"
    Quando o ERP cancela o pedido
    Então o pedido está "canceled"

  Cenário: Cancelamento depois do faturamento é recusado
    Quando um pedido pago com 1 item chega
    E o pedido está "handling"
    E o ERP fatura o pedido com a nota "NF-5001"
    E o pedido está "invoiced"
    Quando o ERP tenta cancelar o pedido
    Então o cancelamento foi recusado
    E o pedido está "invoiced"
