// RFC 6960 Appendix A: the media types of OCSP over HTTP, for the client and the responder.
export const OCSP_REQUEST_TYPE = "application/ocsp-request";
export const OCSP_RESPONSE_TYPE = "application/ocsp-response";
