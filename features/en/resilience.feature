@passive @resilience
Feature: Resilience
  VTEX answers 429 when a client goes too fast and 5xx now and then. An
  integration waits as told, retries what is worth retrying, and never
  hammers VTEX with wrong credentials.

  Scenario: 429 on order reads: the integration backs off and completes
    Given the sandbox answers 429 with Retry-After 1 to the next 2 order reads
    And the integration is running
    When a paid order with 1 item arrives
    Then the order is "handling"
    And the integration waited as Retry-After said between its order reads
    And the feed has no pending items

  Scenario: 503 on the feed: the integration retries and completes
    Given the sandbox answers 503 to the next 2 feed reads
    And the integration is running
    When a paid order with 1 item arrives
    Then the order is "handling"
    And the feed has no pending items

  @credentials
  Scenario: Wrong credentials are not retried in a loop
    Given the integration has a wrong app token
    When the integration runs
    Then the integration made at most 3 calls refused with 403
