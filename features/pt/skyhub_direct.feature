# language: pt
@driver @skyhub
Funcionalidade: SkyHub direto
  Um ERP pode se integrar à SkyHub (B2W / Americanas) diretamente: tira os
  pedidos da fila de integração da SkyHub um de cada vez, grava cada um e só
  então apaga o item da fila; fatura com uma chave de NF-e que traz o CNPJ
  do vendedor, despacha com código de rastreio os pedidos que ele mesmo
  entrega e os marca como entregues. Um cancelamento feito pelo marketplace
  volta pela fila, e o ERP o respeita.

  Contexto:
    Dado que a integração está rodando em modo SkyHub direto

  Cenário: Um pedido da fila da SkyHub é faturado, despachado e entregue
    Quando um pedido pago SkyHub com 2 itens chega
    Então a integração tirou o pedido SkyHub da fila
    Quando o ERP fatura o pedido SkyHub com a NF-e 1001
    Então a SkyHub tem o pedido "INVOICED"
    E a chave da NF-e do pedido SkyHub traz o CNPJ do vendedor e um dígito verificador válido
    Quando o ERP despacha o pedido SkyHub com o código de rastreio "BR123456789"
    Então a SkyHub tem o pedido "SHIPPED"
    E o pedido SkyHub tem o código de rastreio "BR123456789"
    Quando o ERP marca o pedido SkyHub como entregue
    Então a SkyHub tem o pedido "DELIVERED"
    E a SkyHub não recusou nenhuma chamada da integração

  Cenário: Um pedido tirado da fila nunca se perde
    Quando um pedido pago SkyHub com 1 item chega
    Então a integração tirou o pedido SkyHub da fila
    E a integração chamou GET /skyhub/queues/orders antes de DELETE /skyhub/queues/orders/*
    Quando o ERP fatura o pedido SkyHub com a NF-e 2001
    Então a SkyHub tem o pedido "INVOICED"

  Cenário: Um cancelamento do marketplace é respeitado
    Quando um pedido pago SkyHub com 1 item chega
    Então a integração tirou o pedido SkyHub da fila
    Quando o marketplace cancela o pedido SkyHub
    Então a integração tirou o pedido SkyHub da fila
    Quando o ERP tenta faturar o pedido SkyHub com a NF-e 3001
    Então a ação do ERP foi recusada
    E a SkyHub tem o pedido "CANCELED"
    E a integração chamou POST /skyhub/orders/*/invoice nenhuma vez

  Cenário: O ERP envia produtos, estoque e preço, nunca um preço promocional 0
    Quando o ERP envia seu catálogo à SkyHub:
      | sku   | nome     | preço | preço promocional | estoque | reservado |
      | CAM-1 | Camiseta | 49,90 |                   | 10      | 2         |
      | CAL-1 | Calça    | 99,90 | 79,90             | 5       | 0         |
    Então a SkyHub tem o produto "CAM-1" a 49,90 com quantidade 8
    E o produto "CAM-1" da SkyHub não tem preço promocional
    E a SkyHub tem o produto "CAL-1" a 99,90 com quantidade 5
    E o produto "CAL-1" da SkyHub tem preço promocional 79,90
    Quando o ERP envia seu catálogo à SkyHub:
      | sku   | nome     | preço | preço promocional | estoque | reservado |
      | CAM-1 | Camiseta | 44,90 | 39,90             | 7       | 1         |
    Então a SkyHub tem o produto "CAM-1" a 44,90 com quantidade 6
    E o produto "CAM-1" da SkyHub tem preço promocional 39,90
    E a SkyHub não recusou nenhuma chamada da integração
