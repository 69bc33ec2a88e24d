//! SMS: PDU codec (TS 23.040), concatenation, and the send-and-await-reply flow.
