//! USSD: `+CUSD` payload decoding and the request/response flow.
