class CrossEntropy(Module):
    def forward(self, inp, targ):
        shifted = inp - inp.max(dim=1, keepdim=True).values
        log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
        return -log_probs[range(inp.shape[0]), targ].mean()

    def bwd(self, out, inp, targ):
        e = (inp - inp.max(dim=1, keepdim=True).values).exp()
        softmax = e / e.sum(dim=1, keepdim=True)
        one_hot = torch.zeros_like(inp)
        one_hot[range(inp.shape[0]), targ] = 1
        inp.g = (softmax - one_hot) / inp.shape[0]
