"""scikit-learn side of the profile-model parity bench (bench/profiles.ts writes the data and compares).

Usage: /usr/bin/python3 bench/sklearn_parity.py <input.json>   (needs `apt-get install -y python3-sklearn`)
Reads the exact matrices the TypeScript models were trained on and prints the same metrics as JSON.
Bench only: never a runtime or test dependency.
"""

import json
import sys

import numpy as np
from sklearn.cluster import KMeans
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

SEEDS = [0, 1, 2, 3, 4]


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    out = {"sklearn": __import__("sklearn").__version__}

    km = data["kmeans"]
    x = np.asarray(km["X"], dtype=np.float64)
    # Same k, k-means++ seeding, several restarts: the lowest inertia over seeds, as n_init does.
    inertias = [KMeans(n_clusters=km["k"], init="k-means++", n_init=4, random_state=s).fit(x).inertia_ for s in SEEDS]
    out["kmeans"] = {"inertia": float(min(inertias))}

    out["iforest"] = []
    for case in data["iforest"]:
        x = np.asarray(case["X"], dtype=np.float64)
        y = np.asarray(case["y"])
        aucs = []
        for s in SEEDS:
            forest = IsolationForest(n_estimators=100, max_samples=256, random_state=s).fit(x)
            aucs.append(roc_auc_score(y, -forest.score_samples(x)))
        out["iforest"].append({"name": case["name"], "auc": float(np.mean(aucs))})

    churn = data["churn"]
    scaler = StandardScaler().fit(np.asarray(churn["train"]["X"]))
    model = LogisticRegression(C=1.0, max_iter=2000).fit(
        scaler.transform(np.asarray(churn["train"]["X"])), np.asarray(churn["train"]["y"])
    )
    probabilities = model.predict_proba(scaler.transform(np.asarray(churn["test"]["X"])))[:, 1]
    out["churn"] = {"auc": float(roc_auc_score(np.asarray(churn["test"]["y"]), probabilities))}

    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
