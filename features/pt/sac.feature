# language: pt
@driver @sac
Funcionalidade: SAC e perguntas
  Clientes abrem chamados (SAC) sobre seus pedidos da SkyHub e fazem
  perguntas sobre produtos. O ERP baixa os chamados novos e os responde, e
  responde as perguntas; um chamado que o marketplace encerrou não aceita
  resposta.

  Contexto:
    Dado que a integração está rodando em modo SkyHub direto

  Cenário: O ERP baixa um chamado novo e o responde
    Dado um pedido pago SkyHub com 1 item chega
    Quando um cliente abre um chamado sobre o pedido SkyHub dizendo "Meu pedido não chegou"
    Então o ERP baixou o chamado
    Quando o ERP responde o chamado "Seu pedido foi despachado hoje"
    Então o chamado tem a resposta do vendedor "Seu pedido foi despachado hoje"

  Cenário: Uma resposta a um chamado encerrado é recusada
    Dado um pedido pago SkyHub com 1 item chega
    E um cliente abre um chamado sobre o pedido SkyHub dizendo "Quero cancelar"
    E o ERP baixou o chamado
    Quando o marketplace encerra o chamado
    E o ERP tenta responder o chamado "Já cancelamos"
    Então a ação do ERP foi recusada com 422
    E o chamado não tem resposta do vendedor

  Cenário: O ERP responde a pergunta de um cliente
    Quando um cliente pergunta "Serve em criança?" sobre o SKU "CAM-1"
    E o ERP responde a pergunta "Sim, do tamanho 4 ao 16"
    Então a pergunta tem a resposta "Sim, do tamanho 4 ao 16"
