"""The explorer page in a real browser: headless Chromium driven by selenium + chromedriver.

Selenium (not a hand-written DevTools client) because it installs from pip, drives Debian's
chromium/chromium-driver as they are, and gives real clicks and key presses. The browser is
required, never skipped: CI installs `chromium chromium-driver`. Values shown on the page are
judged against real torch. A screenshot goes to $TINYGRAD_RNN_ARTIFACTS (default: pytest's tmp
dir) and to /tmp/explorer_screenshot.png.
"""

from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from test_explorer import numbers, twin_rnns

from tinygrad_rnn import viz
from tinygrad_rnn.engine import topological_order

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    assert os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER), (
        "the browser test needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver"
    )
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
    ):
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    yield driver
    driver.quit()


def open_page(driver, path) -> float:
    """Load the page and wait until its script says ready; seconds from navigation to ready."""
    start = time.perf_counter()
    driver.get(path.as_uri())
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    return time.perf_counter() - start


def drawn(driver) -> list[int]:
    return [
        int(x)
        for x in driver.execute_script(
            "return [...document.querySelectorAll('[data-node]')].map(e => e.dataset.node)"
        )
    ]


def current(driver) -> int:
    return int(driver.find_element(By.CSS_SELECTOR, "g.node.cur").get_attribute("data-node"))


@pytest.fixture(scope="module")
def rnn_page(tmp_path_factory):
    T = 4
    ours, loss, trnn, hs = twin_rnns(T)
    path = tmp_path_factory.mktemp("explorer") / "tape.html"
    viz.explore({"loss": loss}, ours).save(path)
    order = topological_order([loss.grad_edge()[0]])
    yield path, order, trnn, hs
    del ours  # the leaves (our model's weights) live as long as the tests that read them


def test_nodes_render_one_element_per_tape_node(browser, rnn_page):
    path, order, *_ = rnn_page
    open_page(browser, path)
    assert browser.execute_script("return explorer.state().view") == "full"
    assert sorted(drawn(browser)) == list(range(len(order)))
    browser.execute_script("explorer.setView('compact')")
    per_step = sum(1 for n in order if n.scope and n.scope[-1] == "t0")
    assert len(drawn(browser)) == len(order) - (4 - 1) * per_step


def test_clicking_a_node_shows_its_value_and_gradient(browser, rnn_page):
    path, order, trnn, hs = rnn_page
    open_page(browser, path)
    for t in (1, 3):
        k = next(k for k, n in enumerate(order) if n.name == "TanhBackward0" and n.scope[-1] == f"t{t}")
        browser.find_element(By.CSS_SELECTOR, f'g.node[data-node="{k}"]').click()
        assert browser.find_element(By.ID, "panel-node").text == str(k)
        shown = browser.find_element(By.CSS_SELECTOR, 'pre.value[data-out="0"]').text
        grad = browser.find_element(By.CSS_SELECTOR, 'pre.grad[data-out="0"]').text
        np.testing.assert_allclose(numbers(shown), hs[t].detach().numpy().ravel(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(numbers(grad), hs[t].grad.numpy().ravel(), rtol=1e-5, atol=1e-6)
    k = next(k for k, n in enumerate(order) if n.name == "AccumulateGrad" and n.variable().shape == (3, 3))
    browser.find_element(By.CSS_SELECTOR, f'g.node[data-node="{k}"]').click()
    assert browser.find_element(By.ID, "panel-op").text == "weight_hh_l0"
    grad = browser.find_element(By.CSS_SELECTOR, 'pre.grad[data-out="0"]').text
    np.testing.assert_allclose(numbers(grad), trnn.weight_hh_l0.grad.numpy().ravel(), rtol=1e-5, atol=1e-6)


def test_stepping_the_backward_pass_moves_the_highlight_in_backward_order(browser, rnn_page):
    path, order, *_ = rnn_page
    open_page(browser, path)
    walk = list(reversed(order))  # the engine's walk: outputs first
    browser.find_element(By.ID, "btn-backward").click()
    body = browser.find_element(By.TAG_NAME, "body")
    for step, node in enumerate(walk[:12]):
        k = current(browser)
        assert order[k] is node, f"step {step}: highlighted node {k}, the walk is at {node.name}"
        assert browser.find_element(By.ID, "panel-op").text in (
            node.name,
            "weight_hh_l0",
            "weight_ih_l0",
            "bias_ih_l0",
            "bias_hh_l0",
        )
        assert browser.find_elements(By.CSS_SELECTOR, "g.edge.gflow") or not [
            e for e in node.next if e is not None
        ]
        body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_LEFT)
    assert order[current(browser)] is walk[11]
    # compact view: stepping to a node of another step re-points the drawn step to that t
    browser.execute_script(
        "explorer.setView('compact'); explorer.go('backward', explorer.data.nodes.length - 1)"
    )
    ts = []
    for _ in range(len(order)):
        k = current(browser)
        if order[k].name == "TanhBackward0":
            ts.append(int(browser.find_element(By.ID, "step-val-0").text))
        browser.find_element(By.ID, "btn-next").click()
        if browser.execute_script("return explorer.state().phase") != "backward":
            break
    assert ts[:4] == [3, 2, 1, 0]


def test_folding_a_step_changes_the_node_count(browser, rnn_page):
    path, order, *_ = rnn_page
    open_page(browser, path)
    before = len(drawn(browser))
    in_step = sum(1 for n in order if n.scope and n.scope[-1] == "t2")
    browser.find_element(By.CSS_SELECTOR, 'g.cluster[data-scope="rnn/l0/t2"] > text').click()
    assert len(drawn(browser)) == before - in_step
    assert browser.find_elements(By.CSS_SELECTOR, 'g.cluster.folded[data-scope="rnn/l0/t2"]')
    browser.find_element(By.CSS_SELECTOR, 'g.cluster[data-scope="rnn/l0/t2"]').click()
    assert len(drawn(browser)) == before
    browser.find_element(By.ID, "btn-fold-steps").click()
    assert len(drawn(browser)) == before - 4 * in_step
    browser.find_element(By.ID, "btn-unfold").click()
    assert len(drawn(browser)) == before


def test_two_layer_bidirectional_200_steps_and_screenshot(browser, tmp_path):
    from tinygrad_rnn.commands.explore import explore_rnn

    kw = {"input_size": 2, "hidden_size": 3, "num_layers": 2, "bidirectional": True}
    path = tmp_path / "bi200.html"
    explore_rnn(kw, 200, path, compare=False)
    seconds = open_page(browser, path)
    assert seconds < 30
    state = browser.execute_script("return explorer.state()")
    assert state["view"] == "compact"  # 1,600+ tape nodes: opens folded to one step per group
    groups = browser.execute_script("return explorer.data.groups.length")
    assert groups == 4 and 10 < len(drawn(browser)) < 100
    browser.execute_script("explorer.setStep(0, 57)")
    k = int(browser.execute_script("return explorer.data.groups[0].at[57][0]"))
    assert k in drawn(browser)
    browser.find_element(By.ID, "btn-backward").click()
    for _ in range(5):
        browser.find_element(By.ID, "btn-next").click()
    out = os.environ.get("TINYGRAD_RNN_ARTIFACTS") or str(tmp_path)
    os.makedirs(out, exist_ok=True)
    for target in (os.path.join(out, "explorer_screenshot.png"), "/tmp/explorer_screenshot.png"):
        assert browser.save_screenshot(target)
        assert os.path.getsize(target) > 10_000
