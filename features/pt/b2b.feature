# language: pt
@b2b
Funcionalidade: Consulta de pedidos B2B
  Numa loja B2B todo comprador de uma empresa vê os pedidos da empresa,
  inclusive os tirados por telefone no ERP, com suas notas. O app B2B
  Orders da VTEX pede esses pedidos ao ERP: aqui o harness faz o papel do
  app, chama a API B2B da integração como o app publicado chama (cada troca
  conferida com openapi/b2b-erp.yaml) e compara as respostas com os pedidos
  da empresa no sandbox. Uma empresa é a raiz do seu CNPJ.

  Contexto:
    Dado que a empresa "Construtora Horizonte" de CNPJ 44455500000193 fez 1 pedido B2B
    E a empresa "Ferragens Paulista" de CNPJ 11222333000181 fez 2 pedidos B2B
    E a integração está rodando

  @driver
  Cenário: Uma empresa vê seus pedidos, web e de televendas, e nenhum de outra empresa
    Quando o ERP registra um pedido de televendas da empresa "Ferragens Paulista" com o pedido de compra "PO-FONE-1"
    E o app B2B pesquisa os pedidos de hoje da empresa "Ferragens Paulista"
    Então a resposta lista exatamente os pedidos da empresa "Ferragens Paulista"

  Cenário: Uma pesquisa pelo pedido de compra do comprador encontra só esse pedido
    Quando o app B2B pesquisa os pedidos da empresa "Ferragens Paulista" pelo pedido de compra do pedido
    Então a resposta lista exatamente o pedido da empresa "Ferragens Paulista"

  @driver
  Cenário: Detalhe e documentos de um pedido faturado, consultado pelo número do pedido web
    Quando o pedido está "handling"
    E o ERP fatura o pedido com a nota "NF-8001"
    E o app B2B consulta o pedido pelo número do pedido web para a empresa "Ferragens Paulista"
    Então o detalhe confere com o pedido com a nota "NF-8001"
    Quando o app B2B abre os documentos desse pedido para a empresa "Ferragens Paulista"
    Então os documentos incluem o DANFE da nota "NF-8001"

  Cenário: O pedido de outra empresa nunca é mostrado
    Quando o app B2B pesquisa os pedidos de hoje da empresa "Ferragens Paulista"
    Então a resposta lista exatamente os pedidos da empresa "Ferragens Paulista"
    Quando o app B2B consulta o pedido pelo número do pedido web para a empresa "Construtora Horizonte"
    Então o ERP não mostra pedido algum

  Cenário: Chamadas sem o token do app são recusadas
    Então o ERP recusa toda chamada B2B sem o seu token
