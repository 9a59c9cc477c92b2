@driver @stock
Feature: Stock
  The ERP pushes its balance per warehouse. VTEX reserves the units of each
  order; once the integration starts handling an order those units are the
  ERP's to ship, and VTEX's next count write zeroes the reservation,
  trusting the count to leave them out. So the integration pushes the
  ERP's balance minus the units of the orders it handles and has not
  invoiced: never the raw balance, which would sell them twice.

  Background:
    Given the integration is running
    And the ERP registers the product CAM-10 with SKU CAM-10-G and EAN 7891234567871
    And the ERP's balance of CAM-10-G in estoque-sp is 10

  Scenario: The ERP's balance becomes VTEX's available quantity
    Then VTEX shows 10 available of CAM-10-G in estoque-sp

  Scenario: An order reserves, and the next push does not oversell
    When a paid order for 3 units of CAM-10-G arrives
    Then VTEX shows 7 available of CAM-10-G in estoque-sp
    And the order is "handling"
    When the ERP's balance of CAM-10-G in estoque-sp is 10
    Then VTEX shows 7 available of CAM-10-G in estoque-sp

  Scenario: Cancel releases the units
    When a paid order for 3 units of CAM-10-G arrives
    And the order is "handling"
    And the ERP's balance of CAM-10-G in estoque-sp is 10
    Then VTEX shows 7 available of CAM-10-G in estoque-sp
    When the ERP cancels the order
    And the ERP cancels the order
    Then the order is "canceled"
    And VTEX shows 10 available of CAM-10-G in estoque-sp

  Scenario: A stock write refused with 423 is retried
    Given VTEX answers 423 to the next 2 stock writes of CAM-10-G in estoque-sp
    When the ERP's balance of CAM-10-G in estoque-sp is 6
    Then VTEX shows 6 available of CAM-10-G in estoque-sp
