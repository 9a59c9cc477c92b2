@driver @mercadolivre
Feature: Mercado Livre
  The ERP integrates the seller's Mercado Livre account directly. It
  trades the authorization code of the seller's consent for a token pair,
  keeps the pair, and refreshes the access token (6 hours on the sandbox
  clock) with the refresh token, which is single use: a refresh token sent
  twice is refused and costs the seller a new consent. It downloads the
  paid orders and uploads the NF-e of each one's shipment, a valid key of
  the seller's CNPJ whose total (vNF) is the order's to the cent; the
  shipment is then ready to print its label.

  Scenario: The ERP authorizes, downloads a paid order and uploads its NF-e; the shipment becomes ready to ship
    Given the integration is running with Mercado Livre
    When a paid Mercado Livre order arrives
    Then the integration downloaded the Mercado Livre order
    And the Mercado Livre shipment is "ready_to_ship/invoice_pending"
    When the ERP uploads the Mercado Livre order's NF-e as "NF-7001"
    Then the Mercado Livre shipment is "ready_to_ship/ready_to_print"

  Scenario: The ERP refreshes its token when it expires and never reuses a refresh token
    Given the integration is running with Mercado Livre
    And a paid Mercado Livre order arrives
    And the integration downloaded the Mercado Livre order
    When the sandbox clock advances 7h
    And a paid Mercado Livre order arrives
    Then the integration downloaded the Mercado Livre order
    And the integration refreshed its Mercado Livre token, never with a refresh token already used, and was never refused
