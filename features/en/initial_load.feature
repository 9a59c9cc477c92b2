@passive
Feature: Initial load
  An integration sets its feed up on its first start, and the feed holds
  only the changes made after that. The orders paid before then are
  caught up by listing the orders ready for handling, as a real
  connector's initial load does.

  Scenario: Orders paid before the integration's first start are handled
    Given 3 paid orders arrive
    When the integration is running
    Then every order is "handling"
    And start-handling was called once for every order
    And the feed has no pending items
