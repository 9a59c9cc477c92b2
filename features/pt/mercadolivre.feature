# language: pt
@driver @mercadolivre
Funcionalidade: Mercado Livre
  O ERP integra diretamente a conta do vendedor no Mercado Livre. Troca o
  código de autorização do consentimento do vendedor por um par de tokens,
  guarda o par e renova o access token (6 horas no relógio do sandbox) com
  o refresh token, que é de uso único: um refresh token enviado duas vezes
  é recusado e custa ao vendedor um novo consentimento. O Mercado Livre
  envia uma notificação (POST) à URL de callback do app a cada mudança
  (orders_v2 para pedidos); ela só aponta o recurso, que o ERP lê na hora.
  Uma notificação que o callback não aceitou fica listada em GET
  /missed_feeds, e um ERP que estava fora do ar se atualiza ao iniciar. O
  ERP envia a NF-e do envio de cada pedido pago, com chave válida do CNPJ
  do vendedor e total (vNF) igual ao do pedido, centavo a centavo; o envio
  fica então pronto para imprimir a etiqueta.

  Cenário: O ERP autoriza, baixa um pedido pago e envia sua NF-e; o envio fica pronto para despachar
    Dado que a integração está rodando com o Mercado Livre
    Quando um pedido pago do Mercado Livre chega
    Então a integração baixou o pedido do Mercado Livre
    E o envio do Mercado Livre está "ready_to_ship/invoice_pending"
    Quando o ERP envia a NF-e do pedido do Mercado Livre como "NF-7001"
    Então o envio do Mercado Livre está "ready_to_ship/ready_to_print"

  Cenário: O ERP renova seu token quando expira e nunca reusa um refresh token
    Dado que a integração está rodando com o Mercado Livre
    E um pedido pago do Mercado Livre chega
    E a integração baixou o pedido do Mercado Livre
    Quando o relógio do sandbox avança 7h
    E um pedido pago do Mercado Livre chega
    Então a integração baixou o pedido do Mercado Livre
    E a integração renovou seu token do Mercado Livre, nunca com um refresh token já usado, e nunca foi recusada

  @notifications
  Cenário: O ERP busca um pedido assim que o Mercado Livre o notifica
    Dado que a integração está rodando com o Mercado Livre
    Quando um pedido pago do Mercado Livre chega
    Então a integração buscou o pedido do Mercado Livre ao receber sua notificação orders_v2

  Cenário: Um pedido cuja notificação o ERP perdeu enquanto estava fora do ar é recuperado quando ele inicia
    Dado que um pedido pago do Mercado Livre chega
    E o Mercado Livre lista a notificação do pedido em missed_feeds
    Quando a integração inicia com o Mercado Livre
    Então a integração recuperou o pedido do Mercado Livre ao se pôr em dia
