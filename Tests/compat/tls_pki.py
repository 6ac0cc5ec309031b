"""Throw-away certificates for TLS tests, made with openssl (EC keys: fast to generate)."""
import subprocess


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def issue(directory, name, subject, issuer, extensions, days=2):
    key, csr, ext = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.ext"
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject, "-keyout", key, "-out", csr)
    ext.write_text(extensions + "\n")
    openssl("x509", "-req", "-in", csr, "-CA", directory / f"{issuer}.pem", "-CAkey", directory / f"{issuer}.key", "-CAcreateserial",
            "-days", str(days), "-extfile", ext, "-out", directory / f"{name}.pem")


def make_pki(tmp_path):
    """ca and other-ca; a server certificate for localhost and 127.0.0.1 and a client certificate, both from ca."""
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", f"/CN={ca}",
                "-keyout", tmp_path / f"{ca}.key", "-out", tmp_path / f"{ca}.pem")
    issue(tmp_path, "server", "/CN=localhost", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1")
    issue(tmp_path, "client", "/CN=client", "ca", "extendedKeyUsage=clientAuth")
    return tmp_path
