@b2b
Feature: B2B order look-up
  In a B2B store every buyer of a company sees the company's orders,
  including those taken by phone in the ERP, with their invoices. VTEX's
  B2B Orders app asks the ERP for them: here the harness plays the app,
  calls the integration's B2B API as the shipped app does (every exchange
  checked against openapi/b2b-erp.yaml), and compares the answers with the
  company's orders in the sandbox. A company is the root of its CNPJ.

  Background:
    Given company "Construtora Horizonte" with CNPJ 44455500000193 placed 1 B2B order
    And company "Ferragens Paulista" with CNPJ 11222333000181 placed 2 B2B orders
    And the integration is running

  @driver
  Scenario: A company sees its own orders, web and telesales, and no other company's
    When the ERP registers a telesales order for company "Ferragens Paulista" with purchase order "PO-FONE-1"
    And the B2B app searches company "Ferragens Paulista"'s orders of today
    Then the answer lists exactly company "Ferragens Paulista"'s orders

  Scenario: A search by the buyer's purchase order finds that order alone
    When the B2B app searches company "Ferragens Paulista"'s orders by the order's purchase order
    Then the answer lists exactly the order of company "Ferragens Paulista"

  @driver
  Scenario: An invoiced order's detail and documents, looked up by its web order number
    When the order is "handling"
    And the ERP invoices the order as "NF-8001"
    And the B2B app looks up the order by its web order number for company "Ferragens Paulista"
    Then the detail matches the order with invoice "NF-8001"
    When the B2B app opens the documents of that order for company "Ferragens Paulista"
    Then the documents include the DANFE of invoice "NF-8001"

  Scenario: Another company's order is never shown
    When the B2B app searches company "Ferragens Paulista"'s orders of today
    Then the answer lists exactly company "Ferragens Paulista"'s orders
    When the B2B app looks up the order by its web order number for company "Construtora Horizonte"
    Then the ERP shows no order

  Scenario: Calls without the app's token are refused
    Then the ERP refuses every B2B call without its token
