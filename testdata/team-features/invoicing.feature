@driver
Feature: Loja Exemplo: our connector's invoicing rules
  A team's own feature, run with omsbox's step library:
  omsbox contracts run --features testdata/team-features --no-builtin

  Background:
    Given the integration is running

  Scenario: A two-item order from a table is read, handled and invoiced once
    Given these paid orders arrive:
      | order | channel | sku   | name        | price  | quantity |
      | A     | vtex    | CAM-1 | Camiseta    | 49.90  | 2        |
      | A     | vtex    | CAL-1 | Calça jeans | 129,90 | 1        |
    Then the order is "handling"
    And the integration called GET /api/oms/pvt/orders/{order} before POST /api/oms/pvt/orders/{order}/start-handling
    When the ERP invoices the order as "NF-9001"
    Then the order is "invoiced"
    And the integration called POST /api/oms/pvt/orders/{order}/invoice once
    And the integration called POST /api/oms/pvt/orders/{order}/cancel never
    And the order went through ready-for-handling, handling, invoiced in that order
    And the sandbox recorded an "invoice.added" event for the order

  Scenario: A 500 on start-handling is retried, not given up
    Given the sandbox answers 500 to the next 1 call to POST /api/oms/pvt/orders/*/start-handling
    When a paid order with 1 item arrives
    Then the order is "handling"
    And the integration called POST /api/oms/pvt/orders/{order}/start-handling twice
    And the feed has no pending items
