@passive
Feature: Order download
  An ERP integration downloads paid orders from VTEX's Feed v3, reads each
  order, starts handling it, and commits the feed item only after the order
  is safely stored. The feed holds the changes made after it was set up, so
  the integration runs before the orders arrive.

  Background:
    Given the integration is running

  Scenario: A paid order is downloaded and handled
    When a paid order with 2 items arrives
    Then the order is "handling"
    And start-handling was called once for the order
    And the order was read before start-handling was called
    And the feed has no pending items

  Scenario: Several orders arrive in one lot
    When 7 paid orders arrive
    Then every order is "handling"
    And start-handling was called once for every order
    And the feed has no pending items

  Scenario: The feed delivers items twice
    Given the feed delivers every item twice
    When 3 paid orders arrive
    Then every order is "handling"
    And start-handling was called once for every order
    And the feed has no pending items

  Scenario: The feed delivers items out of order
    Given the feed delivers items newest first
    When 3 paid orders arrive
    Then every order is "handling"
    And start-handling was called once for every order
    And the feed has no pending items

  Scenario: An order canceled before download is not handled
    Given a paid order in its window to cancel
    When the shopper cancels the order
    Then the order is "canceled"
    And the feed has no pending items
    And start-handling was never called for the order
