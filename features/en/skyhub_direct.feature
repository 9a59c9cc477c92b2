@driver @skyhub
Feature: SkyHub direct
  An ERP can integrate with SkyHub (B2W / Americanas) itself: it takes the
  orders from SkyHub's integration queue one at a time, stores each one and
  only then deletes its queue item; it invoices with an NF-e key naming the
  seller's CNPJ, ships the orders it delivers itself with a tracking code,
  and marks them delivered. A cancel the marketplace makes comes back
  through the queue, and the ERP honours it.

  Background:
    Given the integration is running in SkyHub-direct mode

  Scenario: An order from the SkyHub queue is invoiced, shipped and delivered
    When a paid SkyHub order with 2 items arrives
    Then the integration took the SkyHub order from the queue
    When the ERP invoices the SkyHub order with NF-e 1001
    Then SkyHub has the order "INVOICED"
    And the SkyHub order's NF-e key names the seller's CNPJ and has a valid check digit
    When the ERP ships the SkyHub order with tracking code "BR123456789"
    Then SkyHub has the order "SHIPPED"
    And the SkyHub order has tracking code "BR123456789"
    When the ERP marks the SkyHub order delivered
    Then SkyHub has the order "DELIVERED"
    And SkyHub refused none of the integration's calls

  Scenario: An order taken off the queue is never lost
    When a paid SkyHub order with 1 item arrives
    Then the integration took the SkyHub order from the queue
    And the integration called GET /skyhub/queues/orders before DELETE /skyhub/queues/orders/*
    When the ERP invoices the SkyHub order with NF-e 2001
    Then SkyHub has the order "INVOICED"

  Scenario: A cancel by the marketplace is honoured
    When a paid SkyHub order with 1 item arrives
    Then the integration took the SkyHub order from the queue
    When the marketplace cancels the SkyHub order
    Then the integration took the SkyHub order from the queue
    When the ERP tries to invoice the SkyHub order with NF-e 3001
    Then the ERP's action was refused
    And SkyHub has the order "CANCELED"
    And the integration called POST /skyhub/orders/*/invoice never

  Scenario: The ERP pushes products, stock and price, never a promotional price of 0
    When the ERP pushes its catalog to SkyHub:
      | sku   | name     | price | promotional price | stock | reserved |
      | CAM-1 | Camiseta | 49.90 |                   | 10    | 2        |
      | CAL-1 | Calça    | 99.90 | 79.90             | 5     | 0        |
    Then SkyHub has product "CAM-1" priced 49.90 with quantity 8
    And SkyHub's product "CAM-1" has no promotional price
    And SkyHub has product "CAL-1" priced 99.90 with quantity 5
    And SkyHub's product "CAL-1" has promotional price 79.90
    When the ERP pushes its catalog to SkyHub:
      | sku   | name     | price | promotional price | stock | reserved |
      | CAM-1 | Camiseta | 44.90 | 39.90             | 7     | 1        |
    Then SkyHub has product "CAM-1" priced 44.90 with quantity 6
    And SkyHub's product "CAM-1" has promotional price 39.90
    And SkyHub refused none of the integration's calls
