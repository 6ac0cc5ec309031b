// hiredis' command formatting and RESP reader; the gateway does the socket I/O with SwiftNIO.
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
