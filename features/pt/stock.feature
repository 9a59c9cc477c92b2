# language: pt
@driver @stock
Funcionalidade: Estoque
  O ERP envia seu saldo por estoque. A VTEX reserva as unidades de cada
  pedido; quando a integração inicia o manuseio de um pedido, essas
  unidades passam a ser do ERP para despachar, e a próxima gravação de
  contagem da VTEX zera a reserva, confiando que a contagem já as deixou de
  fora. Por isso a integração envia o saldo do ERP menos as unidades dos
  pedidos em manuseio ainda não faturados: nunca o saldo bruto, que as
  venderia duas vezes.

  Contexto:
    Dado que a integração está rodando
    E o ERP cadastra o produto CAM-10 com o SKU CAM-10-G e o EAN 7891234567871
    E o saldo do ERP de CAM-10-G em estoque-sp é 10

  Cenário: O saldo do ERP vira a quantidade disponível na VTEX
    Então a VTEX mostra 10 disponíveis de CAM-10-G em estoque-sp

  Cenário: Um pedido reserva, e o envio seguinte não vende a mais
    Quando um pedido pago de 3 unidades de CAM-10-G chega
    Então a VTEX mostra 7 disponíveis de CAM-10-G em estoque-sp
    E o pedido está "handling"
    Quando o saldo do ERP de CAM-10-G em estoque-sp é 10
    Então a VTEX mostra 7 disponíveis de CAM-10-G em estoque-sp

  Cenário: O cancelamento libera as unidades
    Quando um pedido pago de 3 unidades de CAM-10-G chega
    E o pedido está "handling"
    E o saldo do ERP de CAM-10-G em estoque-sp é 10
    Então a VTEX mostra 7 disponíveis de CAM-10-G em estoque-sp
    Quando o ERP cancela o pedido
    E o ERP cancela o pedido
    Então o pedido está "canceled"
    E a VTEX mostra 10 disponíveis de CAM-10-G em estoque-sp

  Cenário: Uma gravação de estoque recusada com 423 é repetida
    Dado que a VTEX responde 423 às próximas 2 gravações de estoque de CAM-10-G em estoque-sp
    Quando o saldo do ERP de CAM-10-G em estoque-sp é 6
    Então a VTEX mostra 6 disponíveis de CAM-10-G em estoque-sp
