// Package vtex owns the VTEX OMS API as omsbox serves it: which account a
// request is for (the `an` parameter or the Host), VTEX's credentials (app
// key and token, or a VtexIdclientAutCookie user token), VTEX's error body,
// and thin handlers that decode a request, call the oms domain and encode
// its answer. Routing and validation come from openapi/vtex-oms.yaml.
package vtex
