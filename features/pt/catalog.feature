# language: pt
@driver @catalog
Funcionalidade: Catálogo
  O ERP é o dono dos produtos e SKUs. Ele os cria na VTEX pelos seus
  RefIds, com seus EANs, e enviar um produto de novo o atualiza: nunca o
  duplica nem tropeça nos RefIds únicos da VTEX.

  Contexto:
    Dado que a integração está rodando

  Cenário: Um produto e seu SKU com EAN chegam ao canal
    Quando o ERP cadastra o produto CAM-01 com o SKU CAM-01-P e o EAN 7891234567895
    Então o catálogo da VTEX tem o SKU CAM-01-P com o EAN 7891234567895
    E nenhuma chamada da integração foi recusada

  Cenário: Cadastrar o mesmo produto de novo o atualiza
    Quando o ERP cadastra o produto CAM-02 com o SKU CAM-02-M e o EAN 7891234567888
    E o ERP cadastra o produto CAM-02 com o SKU CAM-02-M e o EAN 7891234567888
    Então o catálogo da VTEX tem o SKU CAM-02-M com o EAN 7891234567888
    E a integração chamou POST /api/catalog/pvt/product uma vez
    E a integração chamou POST /api/catalog/pvt/stockkeepingunit uma vez
    E nenhuma chamada da integração foi recusada
