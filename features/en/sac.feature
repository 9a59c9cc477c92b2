@driver @sac
Feature: SAC and questions
  Customers open tickets (SAC) about their SkyHub orders and ask questions
  about products. The ERP downloads new tickets and answers them, and
  answers questions; a ticket the marketplace has closed takes no answer.

  Background:
    Given the integration is running in SkyHub-direct mode

  Scenario: The ERP downloads a new ticket and answers it
    Given a paid SkyHub order with 1 item arrives
    When a customer opens a ticket about the SkyHub order saying "Meu pedido não chegou"
    Then the ERP downloaded the ticket
    When the ERP answers the ticket "Seu pedido foi despachado hoje"
    Then the ticket has the seller's answer "Seu pedido foi despachado hoje"

  Scenario: An answer to a closed ticket is refused
    Given a paid SkyHub order with 1 item arrives
    And a customer opens a ticket about the SkyHub order saying "Quero cancelar"
    And the ERP downloaded the ticket
    When the marketplace closes the ticket
    And the ERP tries to answer the ticket "Já cancelamos"
    Then the ERP's action was refused with 422
    And the ticket has no answer from the seller

  Scenario: The ERP answers a customer's question
    When a customer asks "Serve em criança?" about SKU "CAM-1"
    And the ERP answers the question "Sim, do tamanho 4 ao 16"
    Then the question has the answer "Sim, do tamanho 4 ao 16"
