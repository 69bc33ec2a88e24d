//! AT command session core (sans-IO): bytes in, events out, time passed in.
