# Training loops (docs/training.md, "train").
#
# train(params, loss, opt, data, ...) fits the parameter record `params` (tensors, numbers and
# nested records of them; function fields, a model's methods, are kept as they are) by minimising
# loss(params, xb, yb) over batches of `data` = {x, y} (one example per row of x's first
# dimension, y its label or target) with the optimizer `opt` (stdlib/optim.dsl: init and step,
# applied to every parameter). Steps are counted from 1, as epochs and batches are in messages.
#
# - Batches: each epoch draws the rows in the order argsort(rand(n, seed=seed * 1000003 + epoch))
#   (Philox: the same on every machine, thread count and path), in batch_size rows; the rows left
#   after the last full batch are not used that epoch (DataLoader's drop_last=True), so every
#   step has the same shapes.
# - Evaluation at each epoch's end: the mean of loss and of metric (default: the loss) over `test`
#   (default: data) in eval_batch rows at a time (default: all of it).
# - Checkpoints: at each epoch's end, unless checkpoint is "", {params, state, step, history} is
#   saved to it (atomically, as save writes: dotted tensor names, PyTorch's optimizer state names).
#   resume= reads such a file (load(path, like=...), so another model's is an error naming the
#   tensor) and continues from its step: the same steps on the same batches give the same bits as
#   a run that was never stopped. It must be another path than checkpoint= (a program never
#   overwrites what it read). stop_after= ends this run after that many epochs (a job with a time
#   limit), leaving the rest to a resumed run.
# - A loss or a gradient that is NaN or infinite stops the program before that step's update,
#   naming the step, epoch and batch; the checkpoint of the last finished epoch is left as it was.
# - A progress bar (stderr) shows the steps, their rate and the epoch's mean loss so far; curve=
#   draws the train loss, test loss and metric per epoch as a PNG.
#
# The result: {params, state (the optimizer's, per parameter), step, epochs (finished),
# history: {loss, test_loss, metric}} (f64[epochs], NaN for the epochs not run).
fn train(params: record, loss: fn, opt: record, data: record, epochs: int = 1, batch_size: int = 32, seed: int = 0, test = data,
         metric = loss, eval_batch: int = 0, checkpoint = "", resume = "", curve = "", stop_after: int = epochs) {
  let n = data.x.shape[0]
  let nt = test.x.shape[0]
  let eb = if eval_batch > 0 then eval_batch else nt
  check(epochs >= 0, "train: epochs must be 0 or more, got {}", epochs)
  check(batch_size > 0 and batch_size <= n, "train: batch_size must be 1 to the {} rows of the data, got {}", n, batch_size)
  check(stop_after >= 0, "train: stop_after must be 0 or more, got {}", stop_after)
  check(nt % eb == 0, "train: eval_batch ({}) must divide the {} rows of the test data", eb, nt)
  check(data.y.shape[0] == n, "train: the data has {} rows of x but {} of y", n, data.y.shape[0])
  check(resume == "" or resume != checkpoint, "train: resume= and checkpoint= are the same file",
        hint="a program never overwrites a file it read: write the resumed run's checkpoints to another path")
  let nb = (n - n % batch_size) / batch_size
  let fresh = {params: params, state: tree_map(opt.init, params), step: 0,
               history: {loss: full(epochs, nan, dtype=f64), test_loss: full(epochs, nan, dtype=f64),
                         metric: full(epochs, nan, dtype=f64)}}
  let start = if resume == "" then fresh else load(resume, like=fresh)
  let e0 = i64(start.step / nb)
  check(start.step % nb == 0 and e0 <= epochs, "train: the checkpoint resumed is at step {}, not the end of one of {} epochs of {} steps",
        start.step, epochs, nb)
  let steps = (min(epochs, e0 + stop_after) - e0) * i64(nb)
  let vg = value_and_grad(loss)
  # `until mean_loss > inf` never holds (the loop runs its steps): it shows the loss in the progress bar
  let r = iterate p = start.params, s = start.state, k = start.step, h = start.history,
                  order = _train_order(n, seed, e0), total = 0.0, mean_loss = 0.0 {
    let e = i64(k / nb)
    let b = k % i64(nb)
    let idx = order[b * batch_size:b * batch_size + batch_size]
    let out = vg(p, data.x[idx], data.y[idx])
    let bad = tree_sum(fn(g) = sum(where(isfinite(g), 0, 1)), out.grad)
    check(isfinite(out.value), "train: the loss is {} at step {} (epoch {}, batch {})", out.value, k + 1, e + 1, b + 1, hint="training stopped before this step's update, and the last epoch's checkpoint is kept: resume from it with a lower learning rate, clipped gradients or checked data")
    check(bad == 0, "train: {} elements of the gradient are NaN or infinite at step {} (epoch {}, batch {})", bad, k + 1, e + 1, b + 1,
          hint="training stopped before this step's update, and the last epoch's checkpoint is kept: resume from it with a lower learning rate, clipped gradients or checked data")
    let new = tree_map(fn(w, g, st) = opt.step(w, g, st), p, out.grad, s)
    p = tree_map(fn(w, u) = u.p, p, new)
    s = tree_map(fn(w, u) = u.state, p, new)
    k = k + 1
    let sum_loss = total + f64(out.value)
    mean_loss = sum_loss / f64(b + 1)
    let ends = b == nb - 1
    h = if ends then _train_history(h, e, mean_loss, _train_eval(p, loss, metric, test, eb)) else h
    total = if ends then 0.0 else sum_loss
    order = if ends then _train_order(n, seed, e + 1) else order
    let _ = if ends and checkpoint != "" then _train_save({params: p, state: s, step: k, history: h}, checkpoint) else 0
  } until mean_loss > inf max steps
  let done = i64(r.k / nb)
  let _ = if curve != "" and done > 0 then _train_plot(curve, r.h, done) else 0
  {params: r.p, state: r.s, step: r.k, epochs: done, history: r.h}
}

# The order of the n rows in epoch e (counted from 0).
fn _train_order(n, seed, e) = argsort(rand([n], seed=seed * 1000003 + e))

# The means of loss and metric over the test data, in batches of eb rows.
fn _train_eval(p, loss, metric, test, eb) {
  let nb = test.x.shape[0] / eb
  let r = iterate j = 0, l = 0.0, m = 0.0 {
    let xb = test.x[j * eb:j * eb + eb]
    let yb = test.y[j * eb:j * eb + eb]
    l = l + f64(loss(p, xb, yb))
    m = m + f64(metric(p, xb, yb))
    j = j + 1
  } max i64(nb)
  {loss: r.l / nb, metric: r.m / nb}
}

# The history with epoch e's train loss and evaluation filled in.
fn _train_history(h, e, mean_loss, ev) {
  let at = arange(h.loss.shape[0]) == e
  {loss: where(at, mean_loss, h.loss), test_loss: where(at, ev.loss, h.test_loss), metric: where(at, ev.metric, h.metric)}
}

fn _train_save(ck, path) {
  save(ck, path)
  0
}

fn _train_plot(path, h, done) {
  let ys = stack(h.loss[0:done], h.test_loss[0:done], h.metric[0:done])
  plot_lines(path, ys, x=f64(arange(done) + 1), labels=["train loss", "test loss", "metric"], xlabel="epoch",
             title="training")
  0
}
