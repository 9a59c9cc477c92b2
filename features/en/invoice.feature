@driver
Feature: Invoice and tracking
  The ERP invoices what it ships, in one invoice or several, and sends the
  tracking number with the invoice or later, then the carrier's events.

  Background:
    Given the integration is running

  Scenario: Full invoice
    When a paid order with 2 items arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-1001"
    Then the order is "invoiced"
    And no call of the integration was refused

  Scenario: Partial invoices of a multi-item order
    When a paid order with 2 items arrives
    And the order is "handling"
    When the ERP invoices item 1 as "NF-2001"
    Then the order is "handling"
    When the ERP invoices item 2 as "NF-2002"
    Then the order is "invoiced"
    And the order has 2 invoices
    And no call of the integration was refused

  Scenario: Invoice with its tracking number
    When a paid order with 1 item arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-3001" with tracking number "BR3001"
    Then the order is "invoiced"
    And invoice "NF-3001" has tracking number "BR3001"

  Scenario: Tracking number later, then tracking events until delivered
    When a paid order with 1 item arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-4001"
    And the ERP sends tracking number "BR4001" for invoice "NF-4001"
    And the carrier delivers invoice "NF-4001"
    Then invoice "NF-4001" has tracking number "BR4001"
    And invoice "NF-4001" is delivered
    And the order is "invoiced"
