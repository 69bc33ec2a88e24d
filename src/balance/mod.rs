//! Understanding carrier replies: remaining / used / total data, money, expiry.
