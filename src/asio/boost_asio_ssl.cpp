// Boost.Asio's SSL implementation (its .ipp files) over OpenSSL 3, compiled once like the rest of
// Asio (boost_asio.cpp says why). Only the targets that speak TLS link it, and with it OpenSSL.
#include <boost/asio/ssl/impl/src.hpp>
