// Package vtex owns VTEX's APIs as omsbox serves them: which account a
// request is for (the `an` parameter, the first segment of an
// api.vtex.com/{account}/pricing path, or the Host), VTEX's credentials
// (app key and token, or a VtexIdclientAutCookie user token), VTEX's error
// bodies, and thin handlers that decode a request, call a domain and
// encode its answer: the OMS (openapi/vtex-oms.yaml, sandbox/oms) and the
// catalog, logistics and pricing an ERP feeds (openapi/vtex-catalog.yaml,
// sandbox/catalog, sandbox/inventory, sandbox/pricing).
package vtex
