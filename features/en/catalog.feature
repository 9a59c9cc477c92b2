@driver @catalog
Feature: Catalog
  The ERP is the master of products and SKUs. It creates them in VTEX by
  their RefIds, with their EANs, and sending a product again updates it:
  it never duplicates it nor trips on VTEX's unique RefIds.

  Background:
    Given the integration is running

  Scenario: A product and its SKU with EAN reach the channel
    When the ERP registers the product CAM-01 with SKU CAM-01-P and EAN 7891234567895
    Then VTEX's catalog has the SKU CAM-01-P with EAN 7891234567895
    And no call of the integration was refused

  Scenario: Registering the same product again updates it
    When the ERP registers the product CAM-02 with SKU CAM-02-M and EAN 7891234567888
    And the ERP registers the product CAM-02 with SKU CAM-02-M and EAN 7891234567888
    Then VTEX's catalog has the SKU CAM-02-M with EAN 7891234567888
    And the integration called POST /api/catalog/pvt/product once
    And the integration called POST /api/catalog/pvt/stockkeepingunit once
    And no call of the integration was refused
