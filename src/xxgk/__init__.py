"""xxgk: China's government information-disclosure annual reports (政府信息公开工作年度报告) as clean, checked data.

Pipeline stages, one module each: ``read`` (bytes → text) → ``tokens`` + ``recover`` (text → table cells,
where a report's text becomes numbers) → ``labels`` + ``label_stages`` (free-text labels → canonical
categories: the dictionary, then the learned stages) →
``check`` (the template's arithmetic) → ``record`` (the canonical JSON). ``extract`` runs them in order;
``schema`` defines the canonical keys once.
"""
__version__ = "0.1.0"
