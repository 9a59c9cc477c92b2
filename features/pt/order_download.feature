# language: pt
@passive
Funcionalidade: Download de pedidos
  Uma integração de ERP baixa os pedidos pagos do Feed v3 da VTEX, lê cada
  pedido, inicia o tratamento e confirma o item do feed só depois de guardar
  o pedido com segurança. O feed guarda as mudanças feitas depois de
  configurado, então a integração roda antes de os pedidos chegarem.

  Contexto:
    Dado que a integração está rodando

  Cenário: Um pedido pago é baixado e tratado
    Quando um pedido pago com 2 itens chega
    Então o pedido está "handling"
    E start-handling foi chamado uma vez para o pedido
    E o pedido foi lido antes de start-handling ser chamado
    E o feed não tem itens pendentes

  Cenário: Vários pedidos chegam num mesmo lote
    Quando 7 pedidos pagos chegam
    Então todos os pedidos estão "handling"
    E start-handling foi chamado uma vez para cada pedido
    E o feed não tem itens pendentes

  Cenário: O feed entrega os itens duas vezes
    Dado que o feed entrega cada item duas vezes
    Quando 3 pedidos pagos chegam
    Então todos os pedidos estão "handling"
    E start-handling foi chamado uma vez para cada pedido
    E o feed não tem itens pendentes

  Cenário: O feed entrega os itens fora de ordem
    Dado que o feed entrega os itens do mais novo ao mais antigo
    Quando 3 pedidos pagos chegam
    Então todos os pedidos estão "handling"
    E start-handling foi chamado uma vez para cada pedido
    E o feed não tem itens pendentes

  Cenário: Um pedido cancelado antes do download não é tratado
    Dado um pedido pago em sua janela de cancelamento
    Quando o comprador cancela o pedido
    Então o pedido está "canceled"
    E o feed não tem itens pendentes
    E start-handling nunca foi chamado para o pedido
