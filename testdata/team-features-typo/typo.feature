Feature: A team's feature with a typo

  Scenario: The step is misspelt
    Given the integration is running
    When a paid order with 1 item arrives
    Then the order is now handling
