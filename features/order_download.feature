@passive
Feature: Order download
  An ERP integration downloads paid orders from VTEX's Feed v3, reads each
  order, starts handling it, and commits the feed item only after the order
  is safely stored.

  Scenario: A paid order is downloaded and handled
    Given a paid order with 2 items
    When the integration runs
    Then the order is "handling"
    And start-handling was called once for the order
    And the order was read before start-handling was called
    And the feed has no pending items

  Scenario: Several orders arrive in one lot
    Given 7 paid orders
    When the integration runs
    Then every order is "handling"
    And start-handling was called once for every order
    And the feed has no pending items

  Scenario: The feed delivers items twice
    Given the feed delivers every item twice
    And 3 paid orders
    When the integration runs
    Then every order is "handling"
    And start-handling was called once for every order
    And the feed has no pending items

  Scenario: The feed delivers items out of order
    Given the feed delivers items newest first
    And 3 paid orders
    When the integration runs
    Then every order is "handling"
    And start-handling was called once for every order
    And the feed has no pending items

  Scenario: An order canceled before download is not handled
    Given a paid order with 1 item
    And the shopper cancels the order
    When the integration runs
    Then the order is "canceled"
    And start-handling was never called for the order
    And the feed has no pending items
