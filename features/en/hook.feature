@hook
Feature: Hook
  An integration in hook mode is told of each change and downloads the order
  at once; the feed stays its backup.

  Scenario: A hook notification leads to the download
    Given the integration is running in hook mode
    When a paid order with 1 item arrives
    Then the order is "handling"
    And start-handling was called once for the order
