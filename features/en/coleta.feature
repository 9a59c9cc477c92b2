@driver @coleta
Feature: B2W Coleta
  A B2W Entrega Direct order is collected by B2W's carrier. When the ERP
  invoices it in VTEX, VTEX forwards the invoice to SkyHub and requests the
  pickup by itself: for a one-item order after that invoice, for a
  multi-item order only after the last item is invoiced. Correios orders are
  posted by the seller and get no pickup.

  Background:
    Given the integration is running

  Scenario: One item: pickup requested after its invoice
    When a paid B2W Direct order with 1 item arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-6001"
    Then SkyHub lists the order as collection requested
    And exactly one pickup was requested for the order

  Scenario: Two items: no pickup until the last item is invoiced, then exactly one
    When a paid B2W Direct order with 2 items arrives
    And the order is "handling"
    When the ERP invoices item 1 as "NF-7001"
    Then no pickup was requested for the order
    When the ERP invoices item 2 as "NF-7002"
    Then SkyHub lists the order as collection requested
    And exactly one pickup was requested for the order

  Scenario: Correios: the invoice reaches SkyHub, no pickup
    When a paid B2W Correios order with 1 item arrives
    And the order is "handling"
    When the ERP invoices the order as "NF-8001"
    Then SkyHub has the order invoiced
    And no pickup was requested for the order
