@driver
Feature: Cancel
  An order can be canceled until it is invoiced; an invoiced order stays
  invoiced.

  Background:
    Given the integration is running

  Scenario: Cancel before invoicing
    When a paid order with 1 item arrives
    And the order is "handling"
    When the ERP cancels the order
    Then the order is "cancellation-requested"
    When the ERP cancels the order
    Then the order is "canceled"

  Scenario: Cancel after invoicing is refused
    When a paid order with 1 item arrives
    And the order is "handling"
    And the ERP invoices the order as "NF-5001"
    And the order is "invoiced"
    When the ERP tries to cancel the order
    Then the cancel was refused
    And the order is "invoiced"
