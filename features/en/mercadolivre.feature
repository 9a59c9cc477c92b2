@driver @mercadolivre
Feature: Mercado Livre
  The ERP integrates the seller's Mercado Livre account directly. It
  trades the authorization code of the seller's consent for a token pair,
  keeps the pair, and refreshes the access token (6 hours on the sandbox
  clock) with the refresh token, which is single use: a refresh token sent
  twice is refused and costs the seller a new consent. Mercado Livre POSTs
  a notification to the app's callback URL on every change (orders_v2 for
  orders); it only points at the resource, which the ERP reads at once. A
  notification the callback did not take is listed by GET /missed_feeds,
  so an ERP that was down catches up when it starts. The ERP uploads the
  NF-e of each paid order's shipment, a valid key of the seller's CNPJ
  whose total (vNF) is the order's to the cent; the shipment is then ready
  to print its label.

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

  @notifications
  Scenario: The ERP fetches an order as soon as Mercado Livre notifies it
    Given the integration is running with Mercado Livre
    When a paid Mercado Livre order arrives
    Then the integration fetched the Mercado Livre order on its orders_v2 notification

  Scenario: An order whose notification the ERP missed while it was down is recovered when it starts
    Given a paid Mercado Livre order arrives
    And Mercado Livre lists the order's notification in missed_feeds
    When the integration starts with Mercado Livre
    Then the integration recovered the Mercado Livre order by catching up
