# language: pt
@passive
Funcionalidade: Loja Exemplo: pedidos com o relógio do sandbox
  Uma feature da equipe, em português, com os passos do omsbox.

  Cenário: Um pedido pago numa data marcada é baixado e tratado
    Dado que o relógio do sandbox está em "2030-11-27T09:00:00-03:00"
    E que a integração está rodando
    Quando chegam estes pedidos pagos:
      | pedido | canal | sku   | nome     | preço | quantidade |
      | 1      | vtex  | TEN-1 | Tênis    | 299,90 | 1         |
    E o relógio do sandbox avança 5m
    Então o pedido está "handling"
    E a integração chamou POST /api/oms/pvt/orders/{order}/start-handling uma vez
    E o feed não tem itens pendentes
