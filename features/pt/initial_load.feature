# language: pt
@passive
Funcionalidade: Carga inicial
  Uma integração configura o seu feed na primeira vez que roda, e o feed
  guarda só as mudanças feitas depois disso. Os pedidos pagos antes são
  recuperados listando os pedidos prontos para manuseio, como faz a carga
  inicial de um conector de verdade.

  Cenário: Pedidos pagos antes da primeira execução da integração são tratados
    Dado que 3 pedidos pagos chegam
    Quando a integração está rodando
    Então todos os pedidos estão "handling"
    E start-handling foi chamado uma vez para cada pedido
    E o feed não tem itens pendentes
