@driver @price
Feature: Price
  The ERP pushes each SKU's base price and its promotions. A promotion
  with a date range is VTEX's computed price inside the range and not
  outside it; the range follows the sandbox clock.

  Background:
    Given the integration is running
    And the ERP registers the product CAM-20 with SKU CAM-20-P and EAN 7891234567864

  Scenario: A promotional price holds only inside its date range
    When the ERP sets the price of CAM-20-P to 59.90
    And the ERP sets a promotional price of 39.90 for CAM-20-P from 1h to 25h from now
    Then the computed price of CAM-20-P is 59.90
    When the sandbox clock advances 2h
    Then the computed price of CAM-20-P is 39.90
    When the sandbox clock advances 24h
    Then the computed price of CAM-20-P is 59.90
