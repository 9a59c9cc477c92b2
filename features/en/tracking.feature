@driver @tracking
Feature: Carrier tracking
  The last sync of the flow: the ERP invoices with a Correios tracking
  number, asks the carrier about the parcel until it is delivered or back
  with the sender, and carries each new event to VTEX. Only a delivery
  event (BDE 01) marks the invoice delivered, with the carrier's date; a
  closed parcel is never asked about again. The parcel walks on the
  sandbox clock: posted, +6 h and +1 d in transit, +2 d out for delivery,
  +2 d 4 h delivered.

  Scenario: The carrier's events reach VTEX until the parcel is delivered
    Given the integration is running
    And a paid order with 1 item arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-5001" and posts it by Correios
    And the sandbox clock advances 25h
    And the ERP polls the carrier
    Then invoice "NF-5001" is not delivered yet
    When the sandbox clock advances 24h
    And the ERP polls the carrier
    Then invoice "NF-5001" is not delivered yet
    When the sandbox clock advances 4h
    And the ERP polls the carrier
    Then invoice "NF-5001" is delivered on the carrier's date
    And invoice "NF-5001" carries the carrier's events so far
    And the sandbox recorded a "tracking.updated" event for the order

  Scenario: A delivered parcel is never polled again
    Given the integration is running
    And a paid order with 1 item arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-5002" and posts it by Correios
    And the sandbox clock advances 53h
    And the ERP polls the carrier
    Then invoice "NF-5002" is delivered on the carrier's date
    When the sandbox clock advances 12h
    And the ERP polls the carrier
    Then the integration never asked the carrier about the parcel after its delivery

  Scenario: A failed delivery attempt is reported, not as a delivery
    Given the integration is running
    And a paid order with 1 item arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-5003" and posts it by Correios
    And the parcel takes the "failed-attempt" path
    And the sandbox clock advances 53h
    And the ERP polls the carrier
    Then invoice "NF-5003" is not delivered yet
    When the sandbox clock advances 24h
    And the ERP polls the carrier
    Then invoice "NF-5003" is delivered on the carrier's date

  Scenario: A parcel returned to the sender is not marked delivered
    Given the integration is running
    And a paid order with 1 item arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-5004" and posts it by Correios
    And the parcel takes the "returned" path
    And the sandbox clock advances 145h
    And the ERP polls the carrier
    Then invoice "NF-5004" is not delivered yet

  Scenario: 429 from the carrier: the integration waits as told
    Given the integration is running
    And a paid order with 1 item arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-5005" and posts it by Correios
    And the sandbox clock advances 25h
    And the carrier answers 429 with Retry-After 1 to the next 1 tracking read
    And the ERP polls the carrier
    Then invoice "NF-5005" carries the carrier's events so far
    And the integration waited as Retry-After said between its tracking reads

  Scenario: 503 from the carrier: the integration waits as told
    Given the integration is running
    And a paid order with 1 item arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-5006" and posts it by Correios
    And the sandbox clock advances 25h
    And the carrier answers 503 with Retry-After 1 to the next 1 tracking read
    And the ERP polls the carrier
    Then invoice "NF-5006" carries the carrier's events so far
    And the integration waited as Retry-After said between its tracking reads
