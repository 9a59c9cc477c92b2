# language: pt
@passive @resilience
Funcionalidade: Resiliência
  A VTEX responde 429 quando um cliente vai rápido demais e 5xx de vez em
  quando. Uma integração espera o que lhe pedem, repete o que vale a pena
  repetir e nunca martela a VTEX com credenciais erradas.

  Cenário: 429 nas leituras de pedido: a integração espera e conclui
    Dado que o sandbox responde 429 com Retry-After 1 às próximas 2 leituras de pedido
    E que a integração está rodando
    Quando um pedido pago com 1 item chega
    Então o pedido está "handling"
    E a integração esperou o que o Retry-After pediu entre as leituras do pedido
    E o feed não tem itens pendentes

  Cenário: 503 no feed: a integração tenta de novo e conclui
    Dado que o sandbox responde 503 às próximas 2 leituras do feed
    E que a integração está rodando
    Quando um pedido pago com 1 item chega
    Então o pedido está "handling"
    E o feed não tem itens pendentes

  @credentials
  Cenário: Credenciais erradas não são repetidas em laço
    Dado que a integração tem um app token errado
    Quando a integração roda
    Então a integração fez no máximo 3 chamadas recusadas com 403
