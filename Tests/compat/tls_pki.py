"""Throw-away certificates for TLS tests, made with openssl (EC keys: fast to generate)."""
import subprocess

# `openssl ca` takes any validity dates, in the past too (`openssl x509 -req` in OpenSSL 3.0 cannot back-date).
CA_CONFIG = """[ca]
default_ca = test
[test]
database = {directory}/index.txt
new_certs_dir = {directory}
serial = {directory}/serial
default_md = sha256
policy = anything
unique_subject = no
[anything]
commonName = supplied
"""


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def issue(directory, name, subject, issuer, extensions, days=2):
    key, csr, ext = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.ext"
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject, "-keyout", key, "-out", csr)
    ext.write_text(extensions + "\n")
    openssl("x509", "-req", "-in", csr, "-CA", directory / f"{issuer}.pem", "-CAkey", directory / f"{issuer}.key", "-CAcreateserial",
            "-days", str(days), "-extfile", ext, "-out", directory / f"{name}.pem")


def issue_expired(directory, name, subject, issuer, extensions):
    """Like `issue`, valid for one day in 2020."""
    key, csr, ext = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.ext"
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject, "-keyout", key, "-out", csr)
    ext.write_text(extensions + "\n")
    config = directory / "expired-ca.cnf"
    config.write_text(CA_CONFIG.format(directory=directory))
    (directory / "index.txt").touch()
    if not (directory / "serial").exists():
        (directory / "serial").write_text("1000\n")
    openssl("ca", "-batch", "-config", config, "-cert", directory / f"{issuer}.pem", "-keyfile", directory / f"{issuer}.key", "-in", csr,
            "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-extfile", ext, "-notext", "-out", directory / f"{name}.pem")


def make_pki(tmp_path):
    """ca and other-ca; a server certificate for localhost and 127.0.0.1 and a client certificate, both from ca."""
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", f"/CN={ca}",
                "-keyout", tmp_path / f"{ca}.key", "-out", tmp_path / f"{ca}.pem")
    issue(tmp_path, "server", "/CN=localhost", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1")
    issue(tmp_path, "client", "/CN=client", "ca", "extendedKeyUsage=clientAuth")
    return tmp_path
