# language: pt
@driver @mercadolivre
Funcionalidade: Anúncios e perguntas do Mercado Livre
  O ERP mantém o estoque e o preço dos anúncios do vendedor, achados pelo
  SELLER_SKU. O Mercado Livre tira do anúncio as unidades de um pedido
  pago, enquanto elas continuam nas prateleiras do ERP até saírem com a
  NF-e: por isso o ERP envia seu saldo menos as unidades dos pedidos pagos
  que baixou e ainda não faturou, nunca o saldo bruto, que as venderia
  duas vezes. Um anúncio que fica sem estoque é pausado (out_of_stock).
  Compradores fazem perguntas num anúncio; o ERP as baixa e publica a
  resposta do vendedor.

  Contexto:
    Dado que a integração está rodando com o Mercado Livre
    E um anúncio do Mercado Livre de CAM-AZ-M a 59,90 reais com 10 unidades

  Cenário: O ERP atualiza o estoque e o preço de um anúncio, descontando as unidades que ainda tem a despachar
    Quando um pedido pago do Mercado Livre chega
    Então a integração baixou o pedido do Mercado Livre
    E o anúncio do Mercado Livre de CAM-AZ-M tem 8 disponíveis a 59,90 reais e está "active"
    Quando o saldo do ERP de CAM-AZ-M para o Mercado Livre é 12
    E o ERP define o preço de CAM-AZ-M no Mercado Livre em 54,90
    Então o anúncio do Mercado Livre de CAM-AZ-M tem 10 disponíveis a 54,90 reais e está "active"
    Quando o saldo do ERP de CAM-AZ-M para o Mercado Livre é 2
    Então o anúncio do Mercado Livre de CAM-AZ-M tem 0 disponíveis a 54,90 reais e está "paused/out_of_stock"

  Cenário: O ERP responde a pergunta de um comprador num anúncio
    Quando um comprador pergunta "Tem na cor vermelha?" no anúncio do Mercado Livre
    Então a integração baixou a pergunta do Mercado Livre
    Quando o ERP responde a pergunta do Mercado Livre "Temos sim, do P ao GG"
    Então a pergunta do Mercado Livre está respondida com "Temos sim, do P ao GG"
