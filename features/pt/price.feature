# language: pt
@driver @price
Funcionalidade: Preço
  O ERP envia o preço base de cada SKU e suas promoções. Uma promoção com
  período é o preço calculado da VTEX dentro do período e não fora dele; o
  período segue o relógio do sandbox.

  Contexto:
    Dado que a integração está rodando
    E o ERP cadastra o produto CAM-20 com o SKU CAM-20-P e o EAN 7891234567864

  Cenário: Um preço promocional vale só dentro do seu período
    Quando o ERP define o preço de CAM-20-P em 59.90
    E o ERP define um preço promocional de 39.90 para CAM-20-P de daqui a 1h até daqui a 25h
    Então o preço calculado de CAM-20-P é 59.90
    Quando o relógio do sandbox avança 2h
    Então o preço calculado de CAM-20-P é 39.90
    Quando o relógio do sandbox avança 24h
    Então o preço calculado de CAM-20-P é 59.90
