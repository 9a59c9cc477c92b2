# language: pt
@hook
Funcionalidade: Hook
  Uma integração em modo hook é avisada de cada mudança e baixa o pedido
  na hora; o feed continua como reserva.

  Cenário: Um aviso do hook leva ao download
    Dado que a integração está rodando em modo hook
    Quando um pedido pago com 1 item chega
    Então o pedido está "handling"
    E start-handling foi chamado uma vez para o pedido
