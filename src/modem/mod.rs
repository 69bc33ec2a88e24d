//! Drivers that run the AT session core over a serial port.
