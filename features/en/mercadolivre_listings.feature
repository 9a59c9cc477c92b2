@driver @mercadolivre
Feature: Mercado Livre listings and questions
  The ERP keeps the stock and price of the seller's listings, found by
  their SELLER_SKU. Mercado Livre takes a paid order's units off the
  listing itself, while they stay on the ERP's shelves until they leave
  with the NF-e: so the ERP pushes its balance minus the units of the paid
  orders it has downloaded and not invoiced, never the raw balance, which
  would sell them twice. A listing left without stock is paused
  (out_of_stock). Buyers ask questions on a listing; the ERP downloads
  them and posts the seller's answer.

  Background:
    Given the integration is running with Mercado Livre
    And a Mercado Livre listing of CAM-AZ-M at 59.90 reais with 10 units

  Scenario: The ERP updates a listing's stock and price, leaving out the units it still has to ship
    When a paid Mercado Livre order arrives
    Then the integration downloaded the Mercado Livre order
    And the Mercado Livre listing of CAM-AZ-M has 8 available at 59.90 reais and is "active"
    When the ERP's balance of CAM-AZ-M for Mercado Livre is 12
    And the ERP sets the Mercado Livre price of CAM-AZ-M to 54.90
    Then the Mercado Livre listing of CAM-AZ-M has 10 available at 54.90 reais and is "active"
    When the ERP's balance of CAM-AZ-M for Mercado Livre is 2
    Then the Mercado Livre listing of CAM-AZ-M has 0 available at 54.90 reais and is "paused/out_of_stock"

  Scenario: The ERP answers a buyer's question on a listing
    When a buyer asks "Tem na cor vermelha?" on the Mercado Livre listing
    Then the integration downloaded the Mercado Livre question
    When the ERP answers the Mercado Livre question "Temos sim, do P ao GG"
    Then the Mercado Livre question is answered with "Temos sim, do P ao GG"
