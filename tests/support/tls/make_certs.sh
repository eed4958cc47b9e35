#!/bin/sh
# Makes the certificates the TLS tests use, in DIR (tests/rpc/tls_test.cpp calls it):
#   ca.pem / ca.key              the test CA (what --ca-file names)
#   good.pem                     for 127.0.0.1 and localhost, by the CA
#   expired.pem                  the same names, by the CA, valid only in 2020
#   wrong-host.pem               for other.example only, by the CA
#   unknown-ca.pem               for 127.0.0.1 and localhost, by another CA nobody trusts
#   server.key                   the key of all four
# Usage: make_certs.sh DIR        (OpenSSL 3 command line; P-256 keys; nothing leaves DIR)
set -eu
dir=$1
cd "$dir"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key
key other-ca.key
key server.key
openssl req -x509 -new -key ca.key -out ca.pem -days 3 -subj "/CN=Pactum test CA" \
  -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -x509 -new -key other-ca.key -out other-ca.pem -days 3 -subj "/CN=Unknown CA" \
  -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -new -key server.key -out server.csr -subj "/CN=127.0.0.1"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > local.ext
printf 'subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n' > other.ext
sign() {  # sign OUT CA EXT
  openssl x509 -req -in server.csr -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 2 \
    -extfile "$3" -out "$1" 2>/dev/null
}
sign good.pem ca local.ext
sign wrong-host.pem ca other.ext
sign unknown-ca.pem other-ca local.ext
# Past dates need `openssl ca` (x509 -req only counts days from now).
mkdir -p ca-db
: > ca-db/index.txt
echo 1000 > ca-db/serial
cat > ca.cnf <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = any
unique_subject = no
[ any ]
commonName = supplied
[ server ]
subjectAltName = IP:127.0.0.1,DNS:localhost
extendedKeyUsage = serverAuth
CNF
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in server.csr -out expired.pem \
  -startdate 20200101000000Z -enddate 20200102000000Z -extensions server -notext 2>/dev/null
