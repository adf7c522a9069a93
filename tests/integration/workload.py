"""A python3 workload touching what stresses an allocator: threads,
subprocess, json, sqlite3, ssl/hashlib, big and small objects."""
import hashlib, json, sqlite3, ssl, subprocess, sys, threading

out = []

def work(k, res):
    d = {str(i): [i] * (i % 50) for i in range(20000)}
    s = json.dumps(d)
    res[k] = hashlib.sha256(s.encode()).hexdigest()[:16]

res = {}
ts = [threading.Thread(target=work, args=(k, res)) for k in range(8)]
for t in ts: t.start()
for t in ts: t.join()
out.append(("threads", sorted(res.values())))

big = [bytearray(n) for n in (1 << 20, 3 << 20, 300 << 10)]
out.append(("big", [len(b) for b in big]))

db = sqlite3.connect(":memory:")
db.execute("create table t (k integer primary key, v text)")
db.executemany("insert into t values (?, ?)", ((i, "x" * (i % 300)) for i in range(50000)))
out.append(("sqlite", db.execute("select count(*), sum(length(v)) from t").fetchone()))

ctx = ssl.create_default_context()
out.append(("ssl", ctx.verify_mode == ssl.CERT_REQUIRED, len(ssl.RAND_bytes(64))))
out.append(("sha", hashlib.sha512(b"gpuscatter" * 100000).hexdigest()[:32]))

p = subprocess.run([sys.executable, "-c", "print(sum(range(10**6)))"], capture_output=True, text=True)
out.append(("subprocess", p.returncode, p.stdout.strip()))
p = subprocess.run(["sh", "-c", "echo hi; exit 3"], capture_output=True, text=True)
out.append(("shell", p.returncode, p.stdout.strip()))

print(json.dumps(out))
